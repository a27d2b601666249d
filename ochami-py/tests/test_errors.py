"""The exception hierarchy."""

import pytest

import ochami


@pytest.mark.parametrize(
    "cls, value_error",
    [
        (ochami.XnameError, True),
        (ochami.InvalidError, True),
        (ochami.StoreError, False),
        (ochami.RedfishError, False),
        (ochami.BootError, False),
    ],
)
def test_families_derive_from_ochami_error(cls, value_error):
    assert issubclass(cls, ochami.OchamiError)
    assert issubclass(cls, Exception)
    assert issubclass(cls, ValueError) == value_error
    assert cls.__module__ == "ochami"
    assert cls.__doc__


def test_bad_store_url_is_a_store_error():
    with pytest.raises(ochami.StoreError, match="bad store URL") as e:
        ochami.Store.open("mysql://nope")
    assert isinstance(e.value, ochami.OchamiError)


def test_store_url_password_is_not_in_errors():
    with pytest.raises(ochami.OchamiError) as e:
        ochami.Store.open("postgres://user:hunter2@127.0.0.1:notaport/db")
    assert "hunter2" not in str(e.value)
    assert "user:***@" in str(e.value)


def test_bad_filter_is_an_invalid_error():
    store = ochami.Store.open("memory:")
    with pytest.raises(ochami.InvalidError, match="colour"):
        store.components(colour="red")
    with pytest.raises(ValueError, match="State"):
        store.components(state="Sleepy")

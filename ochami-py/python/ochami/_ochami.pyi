"""Type stubs of the ochami extension module (``ochami._ochami``)."""

from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from os import PathLike
from typing import Any, final, overload

from ochami.machine_view import MachineView

__version__: str
__all__ = [
    "OchamiError",
    "XnameError",
    "InvalidError",
    "StoreError",
    "RedfishError",
    "BootError",
    "Xname",
    "parse_xnames",
    "Rows",
    "Store",
    "Client",
    "discover",
    "power",
    "power_status",
    "DiscoveryReport",
    "render_bootscript",
    "meta_data",
    "user_data",
    "vendor_data",
    "SimBmc",
    "SimFleet",
    "start_synthetic",
    "start_mockup",
    "__version__",
]

_Row = dict[str, Any]
"""One record in its OpenCHAMI wire form (SMD's keys: ``ID``, ``Type``, ``State``, ...)."""

_Ids = str | Xname | Sequence[str | Xname]
_Values = str | int | bool | Xname | Sequence[str | int | bool | Xname]

# ---- errors ----

class OchamiError(Exception):
    """Base class of every ochami error."""

class XnameError(OchamiError, ValueError):
    """A malformed or out-of-range xname."""

class InvalidError(OchamiError, ValueError):
    """A value outside its grammar or enumeration (MAC, State, filter key, ...)."""

class StoreError(OchamiError):
    """The store refused a write (conflict, not found) or failed."""

class RedfishError(OchamiError):
    """Redfish discovery or the simulator failed."""

class BootError(OchamiError):
    """A bootscript or cloud-init document could not be made."""

# ---- xnames ----

@final
class Xname:
    """An HMS component id such as ``x1000c0s0b0n0``, normalized like SMD does.

    ``str()`` gives the normal form; equality, hashing and (natural) ordering follow it.
    Raises ``XnameError`` for a malformed id.
    """

    def __new__(cls, value: str | Xname) -> Xname: ...
    @property
    def type(self) -> str:
        """The SMD type name, e.g. ``"Node"``."""
    @property
    def parent(self) -> Xname | None:
        """The parent component, or ``None`` for ``s0``, partitions and ``all``."""
    @property
    def ordinals(self) -> list[int]:
        """The ordinals in order: ``x1000c0s2b0n1`` gives ``[1000, 0, 2, 0, 1]``."""
    @property
    def is_controller(self) -> bool:
        """Whether this is a BMC or PDU controller."""
    def ancestors(self) -> list[Xname]:
        """Parent, grandparent, ... up to the root, nearest first."""
    def is_ancestor_of(self, other: str | Xname) -> bool:
        """Whether this is a proper ancestor of ``other``."""
    def __eq__(self, other: object, /) -> bool: ...
    def __lt__(self, other: Xname, /) -> bool: ...
    def __le__(self, other: Xname, /) -> bool: ...
    def __gt__(self, other: Xname, /) -> bool: ...
    def __ge__(self, other: Xname, /) -> bool: ...
    def __hash__(self) -> int: ...

def parse_xnames(items: Iterable[str], *, strict: bool = True) -> list[str | None]:
    """Parse many xnames at once and return their normal forms, in input order.

    The strings are parsed with the GIL released. With ``strict`` (the default) the first
    malformed item raises ``XnameError`` naming its index; with ``strict=False`` it becomes
    ``None``. Non-str items raise ``TypeError``.
    """

# ---- rows ----

@final
class Rows:
    """Records of one kind as plain rows (dicts with OpenCHAMI's keys).

    Supports ``len()``, indexing (negative too) and iteration; ``to_pandas()`` makes a
    DataFrame; in a notebook it shows as an HTML table.
    """

    @property
    def kind(self) -> str:
        """What the rows are: ``"components"``, ``"ethernet_interfaces"``, ..."""
    @property
    def columns(self) -> list[str]:
        """The keys of all rows, in order of first appearance."""
    def to_dicts(self) -> list[_Row]:
        """Every row as a dict."""
    def to_pandas(self) -> Any:
        """A ``pandas.DataFrame`` (raises ``ImportError`` without pandas)."""
    def __len__(self) -> int: ...
    @overload
    def __getitem__(self, index: int, /) -> _Row: ...
    @overload
    def __getitem__(self, index: slice, /) -> Rows: ...
    def __iter__(self) -> Iterator[_Row]: ...
    def _repr_html_(self) -> str: ...

# ---- store ----

@final
class Store:
    """Inventory and boot storage: ``memory:``, ``sqlite://path`` or ``postgres://...``.

    Every call releases the GIL. Records are dicts in their OpenCHAMI wire form.
    """

    @staticmethod
    def open(url: str) -> Store:
        """Open a store (creating and migrating it as needed)."""
    @property
    def backend(self) -> str:
        """``"memory"``, ``"sqlite"`` or ``"postgres"``."""
    @property
    def url(self) -> str:
        """The URL it was opened with, password removed."""
    def ping(self) -> None: ...
    # components
    def components(self, **filters: _Values | None) -> Rows:
        """Components matching SMD's ``GET /State/Components`` parameters.

        Keyword names are SMD's (``id``, ``type``, ``state``, ``flag``, ``enabled``,
        ``role``, ``subrole``/``sub_role``, ``softwarestatus``/``software_status``,
        ``subtype``, ``arch``, ``class``, ``nid``, ``nid_start``, ``nid_end``, ``group``,
        ``partition``, ``locked``, ``reservation_disabled``, ``stateonly``, ...). A list
        ORs its values; a ``"!value"`` negates. Unknown names raise ``InvalidError``.
        """
    def component(self, id: str | Xname) -> _Row | None: ...
    def add_components(self, components: Iterable[Mapping[str, Any]], *, force: bool = False) -> None:
        """SMD's bulk POST: insert new components; existing ones kept unless ``force``."""
    def put_component(self, component: Mapping[str, Any]) -> None: ...
    def delete_component(self, id: str | Xname) -> bool: ...
    def delete_all_components(self) -> int: ...
    def set_state(
        self, ids: _Ids, state: str, *, flag: str | None = None, force: bool = False
    ) -> None:
        """SMD's StateData update: every id must exist; transitions follow SMD's table
        unless ``force`` (a forbidden one raises ``InvalidError``). All or nothing."""
    def set_flag(self, ids: _Ids, flag: str) -> None: ...
    def set_enabled(self, ids: _Ids, enabled: bool) -> None: ...
    def set_software_status(self, ids: _Ids, status: str) -> None: ...
    def set_role(self, ids: _Ids, role: str, *, sub_role: str | None = None) -> None: ...
    def set_nids(self, nids: Mapping[str | Xname, int]) -> None:
        """SMD's BulkNID: ``{xname: nid}``; NIDs stay unique. All or nothing."""
    # ethernet interfaces
    def ethernet_interfaces(
        self,
        *,
        mac: _Values | None = None,
        ip: _Values | None = None,
        network: _Values | None = None,
        component_id: _Values | None = None,
        type: _Values | None = None,
    ) -> Rows: ...
    def ethernet_interface(self, mac: str) -> _Row | None: ...
    def add_ethernet_interface(self, interface: Mapping[str, Any]) -> None: ...
    def delete_ethernet_interface(self, mac: str) -> bool: ...
    # Redfish endpoints and discovered inventory
    def redfish_endpoints(
        self,
        *,
        id: _Values | None = None,
        fqdn: _Values | None = None,
        type: _Values | None = None,
        uuid: _Values | None = None,
        mac: _Values | None = None,
        ip: _Values | None = None,
        last_status: _Values | None = None,
    ) -> Rows: ...
    def redfish_endpoint(self, id: str | Xname) -> _Row | None: ...
    def put_redfish_endpoint(self, endpoint: Mapping[str, Any]) -> None: ...
    def delete_redfish_endpoint(self, id: str | Xname) -> bool: ...
    def component_endpoints(
        self, *, redfish_endpoint: str | Xname | None = None, type: str | None = None
    ) -> Rows: ...
    def hardware(self, **filters: _Values | None) -> Rows:
        """Hardware inventory as flat, pandas-friendly rows, one per location, all with the
        columns ``xname``, ``type``, ``node`` (the owning node), ``location``, ``status``,
        ``manufacturer``, ``model``, ``part_number``, ``serial``, ``fru_id``,
        ``processor_type``, ``cores``, ``threads``, ``speed_mhz``, ``memory_type``,
        ``capacity_mib``, ``capacity_bytes`` (``None`` where they do not apply).

        Filters are SMD's ``/Inventory/Hardware`` parameters: ``type``, ``manufacturer``,
        ``part_number``, ``serial_number``, ``fru_id``, ``id`` (a list ORs its values).
        GPUs per node: ``hardware(type="NodeAccel").to_pandas().groupby("node").size()``.
        """
    def hardware_records(self, **filters: _Values | None) -> Rows:
        """Hardware inventory in SMD's ``HWInvByLoc`` wire form, filtered as ``hardware``."""
    def machine_view(self, *, title: str | None = None, **filters: _Values | None) -> MachineView:
        """A picture of the nodes matching the component filters (``state``, ``role``,
        ``nid_start``, ...; not ``type``), shown as SVG in notebooks."""
    def ingest(self, inventory: Mapping[str, Any], *, force: bool = False) -> None:
        """Store a discovered inventory atomically (see ``DiscoveryReport.inventory``)."""
    # groups and partitions
    def groups(self) -> Rows: ...
    def group(self, label: str) -> _Row | None: ...
    def create_group(self, group: Mapping[str, Any]) -> None: ...
    def delete_group(self, label: str) -> bool: ...
    def add_group_member(self, label: str, id: str | Xname) -> None: ...
    def remove_group_member(self, label: str, id: str | Xname) -> bool: ...
    def partitions(self) -> Rows: ...
    def create_partition(self, partition: Mapping[str, Any]) -> None: ...
    def memberships(self, **filters: _Values | None) -> Rows: ...
    # boot parameters (BSS)
    def boot_params(
        self,
        *,
        hosts: _Values | None = None,
        macs: _Values | None = None,
        nids: _Values | None = None,
    ) -> Rows: ...
    def set_boot_params(self, params: Mapping[str, Any]) -> None:
        """BSS PUT: store under every name, replacing."""
    def add_boot_params(self, params: Mapping[str, Any]) -> None:
        """BSS POST: store under every name not yet present."""
    def update_boot_params(self, params: Mapping[str, Any]) -> None:
        """BSS PATCH: every name must exist."""
    def delete_boot_params(self, params: Mapping[str, Any]) -> int: ...
    # cloud-init
    def cloud_init_groups(self) -> Rows: ...
    def put_cloud_init_group(self, data: Mapping[str, Any]) -> None: ...
    def cloud_init_node(self, id: str | Xname) -> _Row | None: ...
    def put_cloud_init_node(self, id: str | Xname, data: Mapping[str, Any]) -> None: ...
    def cluster_defaults(self) -> _Row: ...
    def set_cluster_defaults(self, defaults: Mapping[str, Any]) -> None: ...
    def export(self, path: str | PathLike[str]) -> dict[str, int]:
        """Write a snapshot of everything the store holds (JSON Lines, no BMC passwords);
        returns the count per record kind."""
    def import_(self, path: str | PathLike[str], *, replace: bool = False) -> dict[str, int]:
        """Load a snapshot in one transaction (merge by key, or ``replace=True``); a bad or
        truncated file imports nothing and raises StoreError naming its line."""

@final
class Client:
    """A remote ochami (or OpenCHAMI) server with the methods of :class:`Store`.

    Reads and writes go through SMD ``/hsm/v2``, BSS ``/boot/v1`` and cloud-init
    ``/cloud-init/admin``; answers are parsed into the same records, so rows equal a
    store's for the same data. Arguments are checked locally by the same rules as a
    store's; records are normalized by the server, as a store normalizes them. A problem from the server raises ``InvalidError`` (400, 422), ``StoreError``
    (404 on a write, 409, 5xx) or ``OchamiError`` (401, 403, no answer), with ``status``,
    ``title`` and ``detail`` attributes. Every call releases the GIL.
    """

    def __new__(
        cls,
        url: str,
        token: str | None = None,
        cacert: str | PathLike[str] | None = None,
        *,
        insecure: bool = False,
        timeout: float = 30.0,
    ) -> Client:
        """Connect to ``url`` (``http[s]://host[:port]``) with a bearer ``token`` (default
        ``$OCHAMI_ACCESS_TOKEN``), TLS verified against ``cacert`` (or the system roots,
        or not at all with ``insecure``); ``timeout`` per request in seconds."""
    @property
    def url(self) -> str:
        """The server URL."""
    def ping(self) -> None:
        """Check that the server and its store answer."""
    # components
    def components(self, **filters: _Values | None) -> Rows:
        """Components matching SMD's ``GET /State/Components`` parameters.

        Keyword names are SMD's (``id``, ``type``, ``state``, ``flag``, ``enabled``,
        ``role``, ``subrole``/``sub_role``, ``softwarestatus``/``software_status``,
        ``subtype``, ``arch``, ``class``, ``nid``, ``nid_start``, ``nid_end``, ``group``,
        ``partition``, ``locked``, ``reservation_disabled``, ``stateonly``, ...). A list
        ORs its values; a ``"!value"`` negates. Unknown names raise ``InvalidError``.
        """
    def component(self, id: str | Xname) -> _Row | None: ...
    def add_components(self, components: Iterable[Mapping[str, Any]], *, force: bool = False) -> None:
        """SMD's bulk POST: insert new components; existing ones kept unless ``force``."""
    def put_component(self, component: Mapping[str, Any]) -> None: ...
    def delete_component(self, id: str | Xname) -> bool: ...
    def delete_all_components(self) -> int: ...
    def set_state(
        self, ids: _Ids, state: str, *, flag: str | None = None, force: bool = False
    ) -> None:
        """SMD's StateData update: every id must exist; transitions follow SMD's table
        unless ``force`` (a forbidden one raises ``InvalidError``). All or nothing."""
    def set_flag(self, ids: _Ids, flag: str) -> None: ...
    def set_enabled(self, ids: _Ids, enabled: bool) -> None: ...
    def set_software_status(self, ids: _Ids, status: str) -> None: ...
    def set_role(self, ids: _Ids, role: str, *, sub_role: str | None = None) -> None: ...
    def set_nids(self, nids: Mapping[str | Xname, int]) -> None:
        """SMD's BulkNID: ``{xname: nid}``; NIDs stay unique. All or nothing."""
    # ethernet interfaces
    def ethernet_interfaces(
        self,
        *,
        mac: _Values | None = None,
        ip: _Values | None = None,
        network: _Values | None = None,
        component_id: _Values | None = None,
        type: _Values | None = None,
    ) -> Rows: ...
    def ethernet_interface(self, mac: str) -> _Row | None: ...
    def add_ethernet_interface(self, interface: Mapping[str, Any]) -> None: ...
    def delete_ethernet_interface(self, mac: str) -> bool: ...
    # Redfish endpoints and discovered inventory
    def redfish_endpoints(
        self,
        *,
        id: _Values | None = None,
        fqdn: _Values | None = None,
        type: _Values | None = None,
        uuid: _Values | None = None,
        mac: _Values | None = None,
        ip: _Values | None = None,
        last_status: _Values | None = None,
    ) -> Rows: ...
    def redfish_endpoint(self, id: str | Xname) -> _Row | None: ...
    def put_redfish_endpoint(self, endpoint: Mapping[str, Any]) -> None: ...
    def delete_redfish_endpoint(self, id: str | Xname) -> bool: ...
    def component_endpoints(
        self, *, redfish_endpoint: str | Xname | None = None, type: str | None = None
    ) -> Rows: ...
    def hardware(self, **filters: _Values | None) -> Rows:
        """Hardware inventory as flat, pandas-friendly rows, one per location, all with the
        columns ``xname``, ``type``, ``node`` (the owning node), ``location``, ``status``,
        ``manufacturer``, ``model``, ``part_number``, ``serial``, ``fru_id``,
        ``processor_type``, ``cores``, ``threads``, ``speed_mhz``, ``memory_type``,
        ``capacity_mib``, ``capacity_bytes`` (``None`` where they do not apply).

        Filters are SMD's ``/Inventory/Hardware`` parameters: ``type``, ``manufacturer``,
        ``part_number``, ``serial_number``, ``fru_id``, ``id`` (a list ORs its values).
        GPUs per node: ``hardware(type="NodeAccel").to_pandas().groupby("node").size()``.
        """
    def hardware_records(self, **filters: _Values | None) -> Rows:
        """Hardware inventory in SMD's ``HWInvByLoc`` wire form, filtered as ``hardware``."""
    def machine_view(self, *, title: str | None = None, **filters: _Values | None) -> MachineView:
        """A picture of the nodes matching the component filters (``state``, ``role``,
        ``nid_start``, ...; not ``type``), shown as SVG in notebooks."""
    # groups and partitions
    def groups(self) -> Rows: ...
    def group(self, label: str) -> _Row | None: ...
    def create_group(self, group: Mapping[str, Any]) -> None: ...
    def delete_group(self, label: str) -> bool: ...
    def add_group_member(self, label: str, id: str | Xname) -> None: ...
    def remove_group_member(self, label: str, id: str | Xname) -> bool: ...
    def partitions(self) -> Rows: ...
    def create_partition(self, partition: Mapping[str, Any]) -> None: ...
    def memberships(self, **filters: _Values | None) -> Rows: ...
    # boot parameters (BSS)
    def boot_params(
        self,
        *,
        hosts: _Values | None = None,
        macs: _Values | None = None,
        nids: _Values | None = None,
    ) -> Rows: ...
    def set_boot_params(self, params: Mapping[str, Any]) -> None:
        """BSS PUT: store under every name, replacing."""
    def add_boot_params(self, params: Mapping[str, Any]) -> None:
        """BSS POST: store under every name not yet present."""
    def update_boot_params(self, params: Mapping[str, Any]) -> None:
        """BSS PATCH: every name must exist."""
    def delete_boot_params(self, params: Mapping[str, Any]) -> None:
        """BSS DELETE (BSS does not answer how many were removed)."""
    # cloud-init
    def cloud_init_groups(self) -> Rows: ...
    def put_cloud_init_group(self, data: Mapping[str, Any]) -> None: ...
    def cloud_init_node(self, id: str | Xname) -> _Row | None: ...
    def put_cloud_init_node(self, id: str | Xname, data: Mapping[str, Any]) -> None: ...
    def cluster_defaults(self) -> _Row: ...
    def set_cluster_defaults(self, defaults: Mapping[str, Any]) -> None: ...
    # what nodes fetch, as the server renders it
    def bootscript(
        self,
        *,
        mac: str | None = None,
        name: str | Xname | None = None,
        nid: int | None = None,
        arch: str | None = None,
        json: bool = False,
    ) -> str:
        """The iPXE bootscript (or ``BootData`` JSON) the server answers a node
        (``GET /boot/v1/bootscript``); give ``mac``, ``name`` or ``nid``."""
    def meta_data(self, node: str | Xname) -> str:
        """A node's cloud-init meta-data as the server renders it."""
    def user_data(self, node: str | Xname) -> str:
        """A node's cloud-init user-data as the server renders it."""
    def vendor_data(self, node: str | Xname) -> str:
        """A node's cloud-init vendor-data as the server renders it."""
    # power (the server's PCS)
    def power(
        self,
        xnames: _Ids,
        operation: str,
        *,
        progress: Callable[[dict[str, Any]], object] | None = None,
        timeout: float = 600.0,
        poll: float = 0.5,
    ) -> Rows:
        """A PCS transition (``POST /power-control/v1/transitions``) of ``operation``
        (``on``, ``off``, ``soft-off``, ``force-off``, ``soft-restart``, ``hard-restart``,
        ``init``) over ``xnames``, polled every ``poll`` seconds until it ends (at most
        ``timeout``). The server acts with the BMC credentials it stores. One row per
        node (``id``, ``result`` done/failed/aborted, ``status``, ``description``,
        ``error``); ``progress`` gets each as it finishes. Ctrl-C or the timeout stops
        following the transition, which goes on on the server."""
    def power_status(self, xnames: _Ids) -> Rows:
        """PCS's power status: one row per node (``id``, ``power_state`` on/off/undefined,
        ``management_state``, ``transitions`` allowed, ``error``)."""

# ---- discovery ----

@final
class DiscoveryReport:
    """The result of ``discover``: one outcome per target plus the inventory found."""

    @property
    def targets(self) -> int: ...
    @property
    def discovered(self) -> int: ...
    @property
    def failed(self) -> int: ...
    @property
    def elapsed_ms(self) -> int: ...
    @property
    def outcomes(self) -> Rows:
        """One row per target: target, xname, status, elapsed_ms, nodes, error."""
    @property
    def components(self) -> Rows: ...
    @property
    def redfish_endpoints(self) -> Rows: ...
    @property
    def ethernet_interfaces(self) -> Rows: ...
    @property
    def component_endpoints(self) -> Rows: ...
    @property
    def hardware(self) -> Rows: ...
    def inventory(self) -> dict[str, list[_Row]]:
        """All inventory merged (what ``save`` writes)."""
    def to_dict(self) -> dict[str, Any]:
        """The whole report (the CLI's ``--json`` output)."""
    def save(self, store: Store | Client, *, force: bool = False) -> None:
        """Write the inventory into a ``Store`` in one transaction, or post each BMC's
        discovery body to a ``Client``'s server, one transaction per BMC, stopping at the
        first refusal (``force`` applies to a store only)."""

def discover(
    targets: str | Sequence[str],
    *,
    username: str | None = None,
    password: str | None = None,
    scheme: str = "https",
    ports: Sequence[int] | None = None,
    insecure: bool = False,
    cacert: str | PathLike[str] | None = None,
    concurrency: int = 64,
    timeout: float = 10.0,
    deadline: float = 120.0,
    xname_map: Mapping[str, str] | str | PathLike[str] | None = None,
    strict_map: bool = False,
    progress: Callable[[dict[str, Any]], object] | None = None,
    store: Store | Client | None = None,
    force: bool = False,
) -> DiscoveryReport:
    """Scan ``targets`` (IPs, host names, CIDRs, ``scheme://host:port``) and crawl every BMC.

    Same options as ``ochami discover``: ``ports`` tried on targets without their own
    (default 443, or 80 with ``scheme="http"``); ``username``/``password`` default to
    ``$OCHAMI_BMC_USERNAME``/``$OCHAMI_BMC_PASSWORD``; ``timeout`` is the connect and
    per-request timeout and ``deadline`` the limit for one BMC (seconds); ``xname_map``
    maps IP, MAC or host name to a BMC xname (a dict, or a file of ``<key> <xname>`` lines
    or a JSON object) and BMCs it does not name get a generated xname unless
    ``strict_map``; ``force`` overwrites State/Role/NID and moves MACs when saving.

    Runs with the GIL released; Ctrl-C stops it.
    ``progress`` is called on this thread with each event as a dict (``{"event":
    "crawled", ...}``); an exception from it stops the run. With ``store`` the inventory is
    saved before returning. Per-BMC failures are in the report; bad options raise
    ``RedfishError`` (or ``InvalidError``).
    """

# ---- power ----

_PowerTarget = str | Xname | SimBmc | Mapping[str, str]

def power(
    targets: _PowerTarget | Sequence[_PowerTarget],
    operation: str,
    *,
    store: Store | None = None,
    boot: str | None = None,
    username: str | None = None,
    password: str | None = None,
    scheme: str = "https",
    insecure: bool = False,
    cacert: str | PathLike[str] | None = None,
    concurrency: int = 64,
    timeout: float = 30.0,
    deadline: float = 600.0,
    wait: bool = True,
    progress: Callable[[dict[str, Any]], object] | None = None,
) -> Rows:
    """Run a power ``operation`` (``on``, ``off``, ``soft-off``, ``force-off``,
    ``soft-restart``, ``hard-restart``, ``init``, ``nmi``) on every target.

    With ``store``, targets are node xnames resolved through their ComponentEndpoint and
    RedfishEndpoint (URL as ``scheme://FQDN``, the stored credentials unless
    ``username`` is given); without, BMCs given directly: a URL, a ``SimBmc``, or a dict
    with ``url``, ``id`` and ``system`` (a BMC with several systems needs ``system``).
    ``boot="pxe"`` (or ``"http"``) sets a one-time boot override first. At most
    ``concurrency`` systems at once, ``deadline`` seconds each; ``wait`` waits for the
    new PowerState. Returns one row per target (``id``, ``bmc``, ``system``, ``result``
    done/failed/aborted, ``before``, ``after``, ``sent``, ``boot_override``,
    ``error_kind``, ``error``, ``elapsed_ms``); a failing BMC fails alone. ``progress``
    gets each row as it completes, on this thread. The GIL is released. Ctrl-C or an
    exception from ``progress`` stops systems not yet started; those in progress are
    finished first (never left between a reset and its confirmation), then it raises.
    """

def power_status(
    targets: _PowerTarget | Sequence[_PowerTarget],
    *,
    store: Store | None = None,
    username: str | None = None,
    password: str | None = None,
    scheme: str = "https",
    insecure: bool = False,
    cacert: str | PathLike[str] | None = None,
    concurrency: int = 64,
    timeout: float = 30.0,
    deadline: float = 60.0,
    progress: Callable[[dict[str, Any]], object] | None = None,
) -> Rows:
    """Read the PowerState of every target (as for :func:`power`): one row each with
    ``power_state`` and ``reset_types`` (the ResetTypes the BMC allows, ``None`` when it
    does not say)."""

# ---- boot (BSS bootscripts and cloud-init) ----

def render_bootscript(
    store: Store,
    *,
    mac: str | None = None,
    name: str | Xname | None = None,
    nid: int | None = None,
    arch: str | None = None,
    retry: int | None = None,
    ts: int | None = None,
    json: bool = False,
    base_url: str | None = None,
    chain_url: str | None = None,
    cloud_init_url: str | None = None,
    retry_delay: int | None = None,
    unknown_delay: int | None = None,
) -> str:
    """The response body BSS gives ``GET /boot/v1/bootscript``: an iPXE script, or
    ``BootData`` JSON with ``json=True``.

    The node is found by ``mac``, else ``name`` (xname), else ``nid``; its parameters by
    MAC, xname, NID, role, then ``Default``. ``base_url`` is the server as nodes reach it
    (``http://10.0.0.1:27778``): chain lines point at ``<base_url>/boot/v1/bootscript`` and
    kernel parameters get ``ds=nocloud-net;s=<base_url>/cloud-init/``. An unknown node gets
    BSS's retry-chain script. Bad parameters raise ``BootError``.
    """

def meta_data(
    store: Store,
    node: str | Xname | None = None,
    *,
    ip: str | None = None,
    base_url: str | None = None,
    cloud_init_url: str | None = None,
) -> str:
    """cloud-init ``meta-data`` (YAML) for a node given by xname or by one of its IPs."""

def user_data(store: Store, node: str | Xname | None = None, *, ip: str | None = None) -> str:
    """cloud-init ``user-data`` (a ``#cloud-config`` document) for a node."""

def vendor_data(
    store: Store,
    node: str | Xname | None = None,
    *,
    ip: str | None = None,
    base_url: str | None = None,
    cloud_init_url: str | None = None,
) -> str:
    """cloud-init ``vendor-data`` (an ``#include`` of the node's group documents)."""

# ---- simulator (re-exported by ochami.sim) ----

@final
class SimBmc:
    """One simulated BMC serving on a loopback port. A context manager."""

    @property
    def address(self) -> str:
        """``"127.0.0.1:<port>"``."""
    @property
    def url(self) -> str:
        """``"http://127.0.0.1:<port>"`` (``https://`` with ``tls=True``)."""
    @property
    def ca_pem(self) -> str | None:
        """The CA certificate (PEM) that signed the BMC's certificate, with ``tls=True``."""
    @property
    def is_running(self) -> bool: ...
    def stats(self) -> dict[str, int]:
        """Counters: ``requests``, ``sessions_created``, ``faults``, ..."""
    def stop(self) -> None:
        """Stop serving (idempotent)."""
    def __enter__(self) -> SimBmc: ...
    def __exit__(self, exc_type: object, exc: object, tb: object, /) -> None: ...

@final
class SimFleet:
    """Several simulated BMCs, stopped together. A sequence and a context manager."""

    @property
    def bmcs(self) -> list[SimBmc]: ...
    @property
    def urls(self) -> list[str]:
        """The BMCs' URLs: pass them straight to ``ochami.discover``."""
    @property
    def addresses(self) -> list[str]: ...
    def stop(self) -> None: ...
    def __len__(self) -> int: ...
    def __getitem__(self, index: int, /) -> SimBmc: ...
    def __iter__(self) -> Iterator[SimBmc]: ...
    def __enter__(self) -> SimFleet: ...
    def __exit__(self, exc_type: object, exc: object, tb: object, /) -> None: ...

def start_synthetic(
    systems: int = 2,
    count: int = 1,
    *,
    latency: float = 0.0,
    fault: str | None = None,
    fault_rate: float = 1.0,
    username: str | None = None,
    password: str | None = None,
    tls: bool = False,
    first_index: int = 0,
) -> SimFleet:
    """Start ``count`` synthetic BMCs with ``systems`` nodes each (2 NICs, 2 CPUs, 4 DIMMs
    per node, distinct deterministic MACs and IPs).

    ``latency`` seconds are added to every request; ``fault`` (``"status500"``,
    ``"reset"``, ``"hang"``, ``"malformed_json"``) hits a ``fault_rate`` share of requests;
    ``username``/``password`` make the BMC require them; ``tls`` serves HTTPS with a
    generated CA (``SimBmc.ca_pem``).
    """

def start_mockup(
    path: str | PathLike[str],
    count: int = 1,
    *,
    latency: float = 0.0,
    fault: str | None = None,
    fault_rate: float = 1.0,
    username: str | None = None,
    password: str | None = None,
    tls: bool = False,
) -> SimFleet:
    """Serve a DMTF short-form mockup directory as ``count`` BMCs."""

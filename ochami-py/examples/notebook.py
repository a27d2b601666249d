"""A notebook-style tour of ochami: inventory as rows (extended as features land)."""

import ochami

store = ochami.Store.open("memory:")
store.add_components(
    [{"ID": f"x1000c0s{s}b0n0", "State": "Ready", "Role": "Compute", "NID": s + 1} for s in range(4)]
)
rows = store.components(role="Compute")
print(rows)
for row in rows:
    print(row["ID"], row["State"], row["NID"])

"""Admin actions leave an audit trail: who, what, when, under which request id."""

from sqlalchemy import create_engine, text


def _entries(database_url: str, entity_id: str) -> list[dict]:
    engine = create_engine(database_url)
    with engine.connect() as conn:
        rows = conn.execute(text("SELECT actor, action, changes, request_id, at FROM catalog.audit_log "
                                 "WHERE entity_id = :id ORDER BY id"), {"id": entity_id}).mappings().all()
    engine.dispose()
    return [dict(row) for row in rows]


def test_a_price_change_is_recorded_with_who_and_the_request_id(client_for, mint, database_url,
                                                                new_product):
    product = new_product(price={"amount_minor": 1000, "currency": "USD"})
    token = mint("admin", sub="admin-7")
    response = client_for("product").patch(
        f"/api/products/{product['id']}", json={"price": {"amount_minor": 1200, "currency": "USD"}},
        headers={"Authorization": f"Bearer {token}", "X-Request-ID": "audit-req-1"})
    assert response.status_code == 200
    created, updated = _entries(database_url, product["id"])
    assert created["action"] == "product.created"
    assert (updated["actor"], updated["action"], updated["request_id"]) == (
        "admin-7", "product.updated", "audit-req-1")
    assert updated["changes"] == {"price_minor": {"from": 1000, "to": 1200}}
    assert updated["at"].tzinfo is not None


def test_a_refused_action_leaves_no_entry(client_for, admin_headers, database_url, new_product):
    product = new_product()
    response = client_for("product").patch(f"/api/products/{product['id']}", json={"name": ""},
                                           headers=admin_headers)
    assert response.status_code == 422
    assert [e["action"] for e in _entries(database_url, product["id"])] == ["product.created"]


def test_deactivating_is_recorded_once(client_for, admin_headers, database_url, new_product):
    product = new_product()
    for _ in range(2):
        client_for("product").delete(f"/api/products/{product['id']}", headers=admin_headers)
    actions = [e["action"] for e in _entries(database_url, product["id"])]
    assert actions == ["product.created", "product.deactivated"]

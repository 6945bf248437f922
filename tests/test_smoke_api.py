def test_openapi_is_public(client, world):
    response = client.get("/api/v1/openapi.json")
    assert response.status_code == 200
    assert "/api/v1/tasks" in response.get_json()["paths"]

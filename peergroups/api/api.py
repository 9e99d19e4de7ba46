"""The JSON API (Django Ninja); OpenAPI schema at /api/openapi.json."""

from ninja import NinjaAPI

api = NinjaAPI(title="Peergroups API", version="1", urls_namespace="api")

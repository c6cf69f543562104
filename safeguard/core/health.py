"""Liveness and readiness for the load balancer; they reveal nothing beyond ok / not ok."""

from django.db import DatabaseError, connection
from django.db.migrations.executor import MigrationExecutor
from django.http import HttpRequest, JsonResponse

from safeguard.core.views import PUBLIC, requires


@requires(PUBLIC)
def healthz(request: HttpRequest) -> JsonResponse:
    return JsonResponse({"status": "ok"})


@requires(PUBLIC)
def readyz(request: HttpRequest) -> JsonResponse:
    try:
        executor = MigrationExecutor(connection)
        pending = executor.migration_plan(executor.loader.graph.leaf_nodes())
    except DatabaseError:
        return JsonResponse({"status": "unavailable", "database": "unreachable"}, status=503)
    if pending:
        return JsonResponse({"status": "unavailable", "migrations": "pending"}, status=503)
    return JsonResponse({"status": "ok"})

"""Pure rules of the shared kernel: the canonical form of an audit entry and its hash."""

import hashlib
import json
from collections.abc import Mapping
from typing import Any

GENESIS_HASH = "0" * 64


def canonical_json(data: Mapping[str, Any]) -> str:
    """One spelling for one entry: sorted keys, no spaces, UTF-8 kept."""
    return json.dumps(data, sort_keys=True, separators=(",", ":"), ensure_ascii=False, default=str)


def chain_hash(prev_hash: str, entry: Mapping[str, Any]) -> str:
    """SHA-256 of the previous link's hash and this entry (SECURITY.md 6: tamper-evident audit)."""
    return hashlib.sha256((prev_hash + canonical_json(entry)).encode("utf-8")).hexdigest()

"""How each marketplace is spoken to: the contract, the HTTP core, one package per marketplace.

What the rest of the project uses is declared here: the contract and its shared types
(:mod:`adapters.base`), the registry that builds an account's adapter (:mod:`adapters.registry`),
and the one retry policy (:mod:`adapters.http`).  Adapters themselves (built-in or third-party)
also use :mod:`adapters.http` and :mod:`adapters.common`.
"""

from adapters.base import (
    AccountConfig,
    Adapter,
    Capabilities,
    FieldProblem,
    Listing,
    ListingState,
    OrderPage,
    OrderStatus,
    RemoteImageRef,
    RemoteListing,
    RemoteOrder,
    RemoteOrderLine,
    describe,
)
from adapters.http import DEFAULT_POLICY, RetryPolicy, call_with_retries, default_policy, set_default_policy
from adapters.registry import adapter_class, adapter_keys, build_adapter

__all__ = [
    "DEFAULT_POLICY",
    "AccountConfig",
    "Adapter",
    "Capabilities",
    "FieldProblem",
    "Listing",
    "ListingState",
    "OrderPage",
    "OrderStatus",
    "RemoteImageRef",
    "RemoteListing",
    "RemoteOrder",
    "RemoteOrderLine",
    "RetryPolicy",
    "adapter_class",
    "adapter_keys",
    "build_adapter",
    "call_with_retries",
    "default_policy",
    "describe",
    "set_default_policy",
]

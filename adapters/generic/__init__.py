"""The generic adapter: a marketplace described by a TOML profile (``profiles/*.toml``), no Python.

The account's ``profile`` names the file (default ``sandbox``, the sandbox's generic
marketplace).  See ``README.md`` for the profile format; :mod:`~adapters.generic.profile` holds
its schema (pydantic models).  The rest, one idea a module: ``auth`` (the auth schemes as
:class:`httpx.Auth` flows), ``signing`` (the ``hmac_query`` algorithm), ``template`` (the
template language), ``calls`` (an operation → a request), ``classify`` (the ``[errors]`` table),
``mapping`` (remote objects → ours), ``paging`` (order pages) and ``adapter`` (the contract).
"""

from adapters.generic.adapter import DEFAULT_PROFILE, GenericAdapter
from adapters.generic.profile import PROFILE_DIR, Profile, get_profile, load_profile, profile_names

__all__ = [
    "DEFAULT_PROFILE",
    "PROFILE_DIR",
    "GenericAdapter",
    "Profile",
    "get_profile",
    "load_profile",
    "profile_names",
]

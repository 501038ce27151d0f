"""The checker: requirement profiles (data) applied to records by small named checks."""

from .engine import Checker, Profile, Rule, Tier, builtin_profiles, load_profile, resolve_profile

__all__ = ["Checker", "Profile", "Rule", "Tier", "builtin_profiles", "load_profile",
           "resolve_profile"]

"""coproctl: the account back office of a syndic de copropriété."""

__version__ = "0.1.0"

"""Staff work on owners and their accounts: create, look up, list, reset, lock, link; the
views shown of them (never a hash or a code); data-protection requests (access, erasure)."""

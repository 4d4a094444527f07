"""The events accounts emits (their contracts are in events/)."""

USER_REGISTERED = "com.ecom.accounts.user.registered"

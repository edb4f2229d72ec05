"""The one exception type whose message is shown to a user as-is."""


class UserError(Exception):
    """Bad input or a state the user can fix; the message is one clear sentence."""

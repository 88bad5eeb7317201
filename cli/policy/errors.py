"""The one error the policy gate raises: the policies themselves are unusable."""


class PolicyError(Exception):
    """The policies cannot be loaded or evaluated (bad file, syntax error, zero rules evaluated).

    str() is a message for the sysadmin, naming the file (and line) at fault.
    """

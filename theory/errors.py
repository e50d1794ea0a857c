"""Error types with messages a user can act on."""


class RankstratError(Exception):
    """Base class of every error rankstrat raises on bad input.

    The command line turns these into one line on stderr and exit status 2.

    Examples
    --------
    >>> str(RankstratError("twolayer: size 'd' must be a positive integer"))
    "twolayer: size 'd' must be a positive integer"
    """


class SpecError(RankstratError, ValueError):
    """An architecture description (spec string, TOML file or mapping) is invalid.

    Examples
    --------
    >>> isinstance(SpecError("x"), ValueError)
    True
    """


class InputError(RankstratError, ValueError):
    """A data file, parameter point or option value is invalid.

    Examples
    --------
    >>> isinstance(InputError("x"), RankstratError)
    True
    """


class ResourceError(InputError):
    """A request would need more memory or work than allowed; the message gives the estimate.

    Examples
    --------
    >>> isinstance(ResourceError("x"), InputError)
    True
    """

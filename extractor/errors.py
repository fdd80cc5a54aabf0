"""Errors that name the input and the reason, for users rather than tracebacks."""


class InputError(Exception):
    """An input could not be read as text: not found, not a file, too large, binary or undecodable."""

    def __init__(self, path: str, reason: str):
        super().__init__(f"{path}: {reason}")
        self.path = path
        self.reason = reason

"""The one exception type of the pipeline.

A :class:`BuildError` carries a message for a person: it names the file, the
entry or row, and the field that is wrong. The command line prints it and
exits with status 1, never a traceback.
"""


class BuildError(Exception):
    """Bad input or a failed check; the message says where and what."""

"""Base class of a weight-sharing supernet configured per step by an architecture code."""
from contextlib import contextmanager

import paddle.nn as nn


class ElasticSupernet(nn.Layer):
    """A network that holds the largest architecture and runs one subnet at a time.

    Subclasses provide `_parse(code, key)` (decode a code string), `_apply_arch(arch)`
    (push the choices into the layers) and `_read_arch()` (read them back).  The active
    architecture therefore lives in the layers themselves, and `gen_subnet_code` is a real
    round trip rather than an echo of the last argument.
    """

    def activate(self, arch, key=None):
        """Make `arch` (a code string or a decoded architecture) the active subnet."""
        if isinstance(arch, str):
            arch = self._parse(arch, key)
        self._apply_arch(arch)
        return arch

    def active_arch(self):
        return self._read_arch()

    def gen_subnet_code(self) -> str:
        """The code of the active subnet, read back from the layers."""
        return self._read_arch().encode()

    @contextmanager
    def subnet(self, arch):
        """Activate `arch` for a `with` block, then restore the previous subnet."""
        previous = self._read_arch()
        self.activate(arch)
        try:
            yield self
        finally:
            self._apply_arch(previous)

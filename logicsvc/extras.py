"""Optional dependencies: the service and the provers need none of them.

scikit-learn (the offline fallacy baseline) and matplotlib (report figures) weigh
~500 MB together, so they are extras (``logicsvc[fallacies]``, ``logicsvc[reports]``).
A command that needs one checks for it before it does any work and says what to install.
"""

from __future__ import annotations

import importlib.util

from logicsvc.errors import ConfigurationError

EXTRAS = {"sklearn": "fallacies", "joblib": "fallacies", "matplotlib": "reports"}


def require(*modules: str, why: str) -> None:
    """``ConfigurationError`` naming the extra to install when a module is missing."""
    for module in modules:
        try:
            found = importlib.util.find_spec(module) is not None
        except ImportError:
            found = False
        if not found:
            extra = EXTRAS.get(module, module)
            raise ConfigurationError(
                f"{why} needs {module}, which is not installed: from a checkout, "
                f"pip install -e '.[{extra}]'",
                code="missing_extra",
            )

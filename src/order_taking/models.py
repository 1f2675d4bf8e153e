"""Every feature's models, imported once so that the metadata and the mappers are complete."""


def load_all_models() -> None:
    from order_taking.auth import models as _auth  # noqa: F401
    from order_taking.backend import models as _backend  # noqa: F401
    from order_taking.backoffice import models as _backoffice  # noqa: F401
    from order_taking.catalog import models as _catalog  # noqa: F401
    from order_taking.clients import models as _clients  # noqa: F401
    from order_taking.core import ratelimit as _ratelimit  # noqa: F401
    from order_taking.core import references as _references  # noqa: F401
    from order_taking.idempotency import models as _idempotency  # noqa: F401
    from order_taking.notifications import models as _notifications  # noqa: F401
    from order_taking.ordering import models as _ordering  # noqa: F401
    from order_taking.quotes import models as _quotes  # noqa: F401

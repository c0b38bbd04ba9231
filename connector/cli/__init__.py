"""The ``agri`` command (:mod:`connector.cli.main`, entry point ``connector.cli.main:run``): a face
over the service functions.  Nothing imports it; it offers no names."""

__all__: list[str] = []

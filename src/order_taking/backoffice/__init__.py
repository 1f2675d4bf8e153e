"""The back office: the operator's staff work the orders in a browser, on pages the service
renders itself (Jinja2), over the same services and repositories as the API."""

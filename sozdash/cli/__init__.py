"""The command line ``python -m sozdash``: database, users, imports and council-document exports."""

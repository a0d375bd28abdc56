"""Uploads: how much a request may carry."""

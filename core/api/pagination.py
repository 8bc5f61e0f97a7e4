from __future__ import annotations

from rest_framework.pagination import CursorPagination, PageNumberPagination


class StandardPagination(PageNumberPagination):
    page_size = 25
    page_size_query_param = "page_size"
    max_page_size = 200


class LongListCursorPagination(CursorPagination):
    """For long, append-only lists (history, notifications): stable under inserts and O(1) per page."""

    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = 200
    ordering = "-created_at"

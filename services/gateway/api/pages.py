"""The HTML pages (issue 3): written by the pages work; an empty router until then."""

from fastapi import APIRouter

router = APIRouter(include_in_schema=False)

"""A log formatter writing one JSON object per line, for log collectors."""

from __future__ import annotations

import json
import logging
from datetime import UTC, datetime


class JSONFormatter(logging.Formatter):
    """Time, level, logger, message and (if any) the exception; nothing from the request."""

    def format(self, record: logging.LogRecord) -> str:
        entry = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        if record.exc_info:
            entry["exception"] = self.formatException(record.exc_info)
        status_code = getattr(record, "status_code", None)
        if isinstance(status_code, int):
            entry["status"] = str(status_code)
        return json.dumps(entry, ensure_ascii=False)

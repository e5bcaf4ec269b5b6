"""WeChat Customer Service (微信客服) connector.

WeCom calls ``/wecom/kf/callback`` when customers write; the connector checks the signature,
decrypts the event, pulls the new messages with ``kf/sync_msg`` from a persisted cursor, stores
each customer text as a queue item (one per WeCom msgid) and drafts suggestions in the
background. Nothing is sent until a person approves an item; ``kf/send_msg`` then sends it once.
"""

from copilot.wecom.connector import WecomConnector
from copilot.wecom.models import QueueItem, Suggestion
from copilot.wecom.router import callback_router

__all__ = ["QueueItem", "Suggestion", "WecomConnector", "callback_router"]

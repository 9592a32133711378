/*
 * tcpframe.c: splitting OpenVPN's length-prefixed TCP stream into packets.
 */
#include <errno.h>
#include <string.h>

#include "core/tcpframe.h"
#include "vpnc/buf.h"

void vpnc_tcpframe_init(struct vpnc_tcpframe *f)
{
	f->hdr_have = 0;
	f->need = 0;
	f->have = 0;
}

int vpnc_tcpframe_put_len(uint8_t out[VPNC_TCPFRAME_LEN], size_t len)
{
	if (len == 0 || len > 0xffff)
		return -EMSGSIZE;
	vpnc_put_u16(out, (uint16_t)len);
	return 0;
}

int vpnc_tcpframe_feed(struct vpnc_tcpframe *f, const uint8_t *data, size_t len, vpnc_tcpframe_cb cb, void *ctx)
{
	int n = 0;

	while (len > 0) {
		if (f->need == 0) {
			/* Reading a length; the fast case has both bytes and the whole packet in this read. */
			if (f->hdr_have == 0 && len >= VPNC_TCPFRAME_LEN) {
				size_t plen = vpnc_get_u16(data);
				if (plen == 0 || plen > sizeof(f->pkt))
					return -EBADMSG;
				if (len - VPNC_TCPFRAME_LEN >= plen) {
					cb(ctx, data + VPNC_TCPFRAME_LEN, plen);
					n++;
					data += VPNC_TCPFRAME_LEN + plen;
					len -= VPNC_TCPFRAME_LEN + plen;
					continue;
				}
				f->need = plen;
				f->have = 0;
				data += VPNC_TCPFRAME_LEN;
				len -= VPNC_TCPFRAME_LEN;
				continue;
			}
			f->hdr[f->hdr_have++] = data[0];
			data++;
			len--;
			if (f->hdr_have == VPNC_TCPFRAME_LEN) {
				size_t plen = vpnc_get_u16(f->hdr);
				f->hdr_have = 0;
				if (plen == 0 || plen > sizeof(f->pkt))
					return -EBADMSG;
				f->need = plen;
				f->have = 0;
			}
			continue;
		}
		/* Gathering a packet split across reads. */
		size_t take = f->need - f->have;
		if (take > len)
			take = len;
		memcpy(f->pkt + f->have, data, take);
		f->have += take;
		data += take;
		len -= take;
		if (f->have == f->need) {
			cb(ctx, f->pkt, f->need);
			n++;
			f->need = 0;
			f->have = 0;
		}
	}
	return n;
}

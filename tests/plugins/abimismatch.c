/* ISC license. */
/* A plugin built for another ABI: the loader must refuse it and say so. */
#include <cartero/cartero.h>

static const struct cartero_filter nothing;

CARTERO_EXPORT const struct cartero_plugin cartero_plugin = {
	.abi = CARTERO_ABI_VERSION + 1,
	.size = sizeof(struct cartero_plugin),
	.name = "abimismatch",
	.filter = &nothing,
};

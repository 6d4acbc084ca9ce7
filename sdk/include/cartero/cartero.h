/* ISC license. */
/* Umbrella header: everything a plugin author needs. */
#ifndef CARTERO_H
#define CARTERO_H

#include <cartero/version.h>
#include <cartero/reply.h>
#include <cartero/plugin.h>

#endif

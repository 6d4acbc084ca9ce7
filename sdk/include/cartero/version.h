/* ISC license. */
/* cartero version and plugin ABI version. */
#ifndef CARTERO_VERSION_H
#define CARTERO_VERSION_H

/*
 * The ABI rule: bump CARTERO_ABI_VERSION on any change to a struct, an enum
 * value or a function signature anywhere in sdk/include/cartero/.  The
 * loader accepts only a plugin whose descriptor carries exactly this number
 * and says so, naming both numbers, when it does not.  New hooks and host
 * functions go only at the end of their struct; the size fields let a later,
 * looser policy accept plugins built against a shorter struct.
 *
 * cartero.pc carries both: "pkg-config --modversion cartero" is
 * CARTERO_VERSION and "pkg-config --variable=abi cartero" is
 * CARTERO_ABI_VERSION, so an out-of-tree build can check what it gets.
 */
/* The plugin ABI: the number a plugin's descriptor must carry. */
#define CARTERO_ABI_VERSION 1
/* The release, "MAJOR.MINOR.PATCH"; says nothing about the ABI. */
#define CARTERO_VERSION "0.1.0"

#endif

/* error.c - messages for the WP_E_* codes. */
#include "wpcommon.h"

const char *wp_strerror(int code)
{
	switch (code) {
#define WP_ERROR_CASE(name, value, msg) \
	case value:                     \
		return msg;
		WP_ERRORS(WP_ERROR_CASE)
#undef WP_ERROR_CASE
	}
	return "unknown error";
}

/* presets.h - the rule files of phases/presets/, embedded at build time
 * (embed_presets.cmake writes the table). */
#ifndef PHASES_PRESETS_H
#define PHASES_PRESETS_H
#include <stddef.h>

struct ph_preset {
	const char *name;
	const char *text;
	size_t len;
};
extern const struct ph_preset ph_presets[];
extern const size_t ph_npresets;
extern const char *const ph_preset_name_list[]; /* NULL-terminated */
#endif

/** Warnings are returned, never thrown: the install goes ahead. The docs' warnings table is checked against this list. */
export const WARNING_CODES = ['WVERSION_MANAGER', 'WLINGER_OFF', 'WPRIVATE_TMP_OFF', 'WWINDOWS_SYSTEM_ONLY'] as const;

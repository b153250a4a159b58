/** A service name: 1–64 letters, digits, ".", "_" or "-", starting with a letter or digit. */
export const SERVICE_NAME = /^[a-zA-Z0-9][a-zA-Z0-9._-]{0,63}$/;

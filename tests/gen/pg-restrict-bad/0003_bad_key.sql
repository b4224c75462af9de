\restrict abc$def

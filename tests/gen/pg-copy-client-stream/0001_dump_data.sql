-- The data section of a pg_dump without --inserts.
CREATE TABLE public.t (id integer, name text, note text);

COPY public.t (id, name, note) FROM stdin;
1	it's	\N
2	tab\there	x
\.

SELECT 1;

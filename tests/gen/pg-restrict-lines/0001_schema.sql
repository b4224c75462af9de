--
-- PostgreSQL database dump
--

\restrict 4JQnWv0vZ8bDl9fAcmTVLheXsCLaIgZ8kPqLbQo2Xs2wGUbkN0fhRKF7pmShdTo

-- Dumped from database version 15.14
-- Dumped by pg_dump version 15.14

SET statement_timeout = 0;
SET standard_conforming_strings = on;

CREATE TABLE public.t (
    id integer NOT NULL
);

--
-- PostgreSQL database dump complete
--

\unrestrict 4JQnWv0vZ8bDl9fAcmTVLheXsCLaIgZ8kPqLbQo2Xs2wGUbkN0fhRKF7pmShdTo


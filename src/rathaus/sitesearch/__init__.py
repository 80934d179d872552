"""One search across the portal (issue 16): services, offices and locations with today's
hours, council papers and meetings, participation. It sits on top of the modules (like the
assistant) and only composes each module's own public queries, grouped by kind."""

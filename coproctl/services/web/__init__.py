"""The web's own rules, as services the owners' pages (``coproctl.web``) call.

- :mod:`tokens`: cookie ids, their keyed hashes, CSRF tokens, the sealed session state;
- :mod:`sessions`: server-side sessions in the database (idle and absolute timeouts, a
  password changed elsewhere ends them);
- :mod:`rate_limits`: requests a minute per client address and per identifiant, counted in
  the database so that every worker and host shares them;
- :mod:`clients`: which address a request comes from (the trusted-proxy setting);
- :mod:`steps`: which page a session may be on, and where it goes back to;
- :mod:`signin`, :mod:`update`, :mod:`forgot`, :mod:`settings_pages`, :mod:`space`: the
  procedures of the guide, step by step, over ``services/procedures`` (the verified
  code's proof kept in the session, never in a page);
- :mod:`theme`: the syndic's colours, checked for contrast;
- :mod:`upkeep`: what the server does in the background (mail, expired sessions).
"""

"""The web app: server-rendered pages for cooperatives, support staff and the province; the JSON API."""

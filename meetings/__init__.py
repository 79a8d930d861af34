"""Meetings: meeting types and rules, topics, agendas, quorum, votes, decisions and minutes."""

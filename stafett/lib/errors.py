class Conflict(Exception):
    """Someone else changed the object (a worry, a relay's goal, the guide's
    draft, …) since the form was opened: the save is refused, not merged."""

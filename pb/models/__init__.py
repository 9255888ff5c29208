"""The database: one module per area, all re-exported here."""

from pb.extensions import db
from pb.models.geography import Borough, CensusFigure, Postcode, Ward
from pb.models.people import ROLES, Person, RoleGrant

__all__ = ["db", "Borough", "Ward", "CensusFigure", "Postcode", "Person", "RoleGrant", "ROLES"]

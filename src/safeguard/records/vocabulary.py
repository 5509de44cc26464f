"""The controlled vocabularies of the POLE store: kinds of agencies, events, roles, links.

These name what the records can say. Rules files (screening catalogues, duties) refer to
these codes and are validated against them at start-up, so a code is never renamed: add a
new one and keep the old.
"""

from django.db import models


class AgencyKind(models.TextChoices):
    POLICE_FORCE = "police_force", "Police force"
    CHILDRENS_SERVICES = "childrens_services", "Children's services (local authority)"
    EDUCATION = "education", "Education (school or academy)"
    HEALTH = "health", "Health"
    YOUTH_JUSTICE = "youth_justice", "Youth justice service"
    PROBATION = "probation", "Probation service"
    NRM_DECISION_MAKER = "nrm_decision_maker", "NRM decision maker"


class Jurisdiction(models.TextChoices):
    ENGLAND_WALES = "england_wales", "England and Wales"
    SCOTLAND = "scotland", "Scotland"
    NORTHERN_IRELAND = "northern_ireland", "Northern Ireland"
    UK = "uk", "United Kingdom (national)"


class Sex(models.TextChoices):
    FEMALE = "female", "Female"
    MALE = "male", "Male"
    OTHER = "other", "Other"
    UNKNOWN = "unknown", "Not known"


class DobPrecision(models.TextChoices):
    EXACT = "exact", "Exact"
    MONTH = "month", "Month known"
    YEAR = "year", "Year known"
    ESTIMATED = "estimated", "Estimated"


class PersonFlag(models.TextChoices):
    """Facts about a person that other agencies record; some are vulnerability factors."""

    VULNERABLE_ADULT = "vulnerable_adult", "Vulnerable adult"
    LOOKED_AFTER_CHILD = "looked_after_child", "Looked-after child (in care)"
    CARE_LEAVER = "care_leaver", "Care leaver"
    CHILD_PROTECTION_PLAN = "child_protection_plan", "Subject of a child protection plan"
    SPECIAL_EDUCATIONAL_NEEDS = "special_educational_needs", "Special educational needs"
    DISABILITY = "disability", "Disability"
    MENTAL_HEALTH = "mental_health", "Mental ill-health"
    SUBSTANCE_MISUSE = "substance_misuse", "Substance misuse"
    HOMELESS = "homeless", "Homeless"
    INSECURE_IMMIGRATION = "insecure_immigration", "Insecure immigration status"


class AgeRange(models.TextChoices):
    """An age known only as a band, as data.police.uk publishes it for stop and search."""

    UNDER_10 = "under 10", "Under 10"
    AGED_10_17 = "10-17", "10 to 17"
    AGED_18_24 = "18-24", "18 to 24"
    AGED_25_34 = "25-34", "25 to 34"
    OVER_34 = "over 34", "Over 34"


# The age the rules read for a part whose person has no date of birth, only a band: the age
# in the band nearest 18, so a band of children is never read as younger, nor one of adults
# as older, than it may be. Only "under 18 or not" decides a duty (records.ages.is_child).
AGE_OF_RANGE: dict[str, int] = {
    AgeRange.UNDER_10: 9,
    AgeRange.AGED_10_17: 17,
    AgeRange.AGED_18_24: 18,
    AgeRange.AGED_25_34: 25,
    AgeRange.OVER_34: 35,
}


class NameKind(models.TextChoices):
    ALIAS = "alias", "Alias"
    NICKNAME = "nickname", "Nickname or street name"
    PREVIOUS = "previous", "Previous name"
    SPELLING = "spelling", "Other spelling"


class LocationKind(models.TextChoices):
    HOME = "home", "Home address"
    CARE_HOME = "care_home", "Children's home or care placement"
    SCHOOL = "school", "School"
    STATION = "station", "Railway or bus station"
    TRAIN = "train", "On a train"
    TRAP_HOUSE = "trap_house", "Trap house"
    CUCKOOED_ADDRESS = "cuckooed_address", "Cuckooed address"
    HOSPITAL = "hospital", "Hospital"
    CUSTODY_SUITE = "custody_suite", "Custody suite"
    STREET = "street", "Street or public place"
    OTHER = "other", "Other"


class EventKind(models.TextChoices):
    STOP_SEARCH = "stop_search", "Stop and search"
    ARREST = "arrest", "Arrest"
    CHARGE = "charge", "Charge"
    CAUTION = "caution", "Caution (youth caution for a child)"
    CONDITIONAL_CAUTION = "conditional_caution", "Conditional caution"
    CUSTODY = "custody", "Detained in custody"
    MISSING_EPISODE = "missing_episode", "Missing episode"
    FOUND_OUT_OF_AREA = "found_out_of_area", "Found out of area"
    SEIZURE = "seizure", "Seizure"
    RAID = "raid", "Raid (search warrant executed)"
    INTELLIGENCE_REPORT = "intelligence_report", "Intelligence report"
    DOMESTIC_ABUSE = "domestic_abuse_incident", "Domestic abuse incident"
    SCHOOL_EXCLUSION = "school_exclusion", "School exclusion"
    SCHOOL_ATTENDANCE = "school_attendance_concern", "School attendance concern"
    HOSPITAL_ATTENDANCE = "hospital_attendance", "Hospital attendance"
    JOURNEY = "journey", "Journey (seen travelling)"
    CONCERN = "concern_report", "Concern reported (parent, carer or professional)"
    CRIME_REPORT = "crime_report", "Crime reported"
    # Recorded by network analysis (safeguard network run): the person is in a county line.
    LINE_MEMBERSHIP = "line_membership", "Found in a county line by network analysis"
    OTHER = "other", "Other"


class Role(models.TextChoices):
    """A person's part in an event. A child may be suspect and victim in the same event."""

    SUSPECT = "suspect", "Suspect"
    VICTIM = "victim", "Victim"
    WITNESS = "witness", "Witness"
    MISSING_PERSON = "missing_person", "Missing person"
    ASSOCIATE = "associate", "Associate (present)"
    SUBJECT = "subject", "Subject"
    OFFENDER = "offender", "Offender"
    REPORTER = "reporter", "Reporting person"
    RESIDENT = "resident", "Resident"
    TRAVELLER = "traveller", "Traveller"


class ItemKind(models.TextChoices):
    VEHICLE = "vehicle", "Vehicle"
    WEAPON = "weapon", "Weapon"
    DRUGS = "drugs", "Drugs"
    CASH = "cash", "Cash"
    TICKET = "ticket", "Travel ticket"
    OTHER = "other", "Other object"


class ObjectRole(models.TextChoices):
    SEIZED = "seized", "Seized"
    CARRIED = "carried", "Carried by a person"
    FOUND = "found", "Found at the place"
    USED = "used", "Used"


class EntityType(models.TextChoices):
    PERSON = "person", "Person"
    PHONE = "phone", "Phone"
    LOCATION = "location", "Location"
    ITEM = "item", "Object"


class LinkKind(models.TextChoices):
    ASSOCIATE = "associate", "Associate of"
    FAMILY = "family", "Family member of"
    HOUSEHOLD = "household", "Lives in the same household as"
    TRAVELLED_WITH = "travelled_with", "Travelled with"
    USES_PHONE = "uses_phone", "Uses phone"
    LIVES_AT = "lives_at", "Lives at"
    STAYS_AT = "stays_at", "Stays at"
    FREQUENTS = "frequents", "Frequents"
    CONTACT = "contact", "Phone contact (calls and texts)"
    USES_VEHICLE = "uses_vehicle", "Uses vehicle"


# Which entity types each link kind joins (from, to).
LINK_ENDPOINTS: dict[str, tuple[str, str]] = {
    LinkKind.ASSOCIATE: (EntityType.PERSON, EntityType.PERSON),
    LinkKind.FAMILY: (EntityType.PERSON, EntityType.PERSON),
    LinkKind.HOUSEHOLD: (EntityType.PERSON, EntityType.PERSON),
    LinkKind.TRAVELLED_WITH: (EntityType.PERSON, EntityType.PERSON),
    LinkKind.USES_PHONE: (EntityType.PERSON, EntityType.PHONE),
    LinkKind.LIVES_AT: (EntityType.PERSON, EntityType.LOCATION),
    LinkKind.STAYS_AT: (EntityType.PERSON, EntityType.LOCATION),
    LinkKind.FREQUENTS: (EntityType.PERSON, EntityType.LOCATION),
    LinkKind.CONTACT: (EntityType.PHONE, EntityType.PHONE),
    LinkKind.USES_VEHICLE: (EntityType.PERSON, EntityType.ITEM),
}

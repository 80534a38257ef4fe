"""Messages of Django and django-q2 as this product words them in Vietnamese.

`makemessages` extracts these ids into locale/vi, whose translations win over
the packages' own (LOCALE_PATHS come first). Each fixes what a reader tripped
over: "số tổng thể" for a whole number, a space before the full stop after a
figure, "tập tin" where the product says "tệp", a bad date not said to be no
date; and the background jobs' admin section, which django-q2 leaves in English.
"""

from django.utils.translation import gettext_noop as _

DJANGO = [
    _("Enter a whole number."),
    _("Enter a number."),
    _("Enter a valid date."),
    _("Ensure this value is less than or equal to %(limit_value)s."),
    _("Ensure this value is greater than or equal to %(limit_value)s."),
    _("Please correct the duplicate data for %(field)s."),
    _("No file was submitted. Check the encoding type on the form."),
    _("No file was submitted."),
    _("The submitted file is empty."),
    _("Please either submit a file or check the clear checkbox, not both."),
    _("Static Files"),
    _("Successfully deleted %(count)d %(items)s."),
]

DJANGO_Q = [
    _("Background jobs"),
    _("Successful task"),
    _("Successful tasks"),
    _("Failed task"),
    _("Failed tasks"),
    _("Scheduled task"),
    _("Scheduled tasks"),
    _("Queued task"),
    _("Queued tasks"),
    _("Function"),
    _("Arguments"),
    _("Keyword arguments"),
    _("Result"),
    _("Short result"),
    _("Group"),
    _("Cluster"),
    _("Started at"),
    _("Stopped at"),
    _("Success"),
    _("Attempt count"),
    _("Time Taken"),
    _("Schedule Type"),
    _("Repeats"),
    _("Next Run"),
    _("Last task id"),
    _("Once"),
    _("Minutes"),
    _("Hourly"),
    _("Daily"),
    _("Weekly"),
    _("Biweekly"),
    _("Monthly"),
    _("Bimonthly"),
    _("Quarterly"),
    _("Yearly"),
    _("Cron"),
    _("Resubmit selected tasks to queue"),
]

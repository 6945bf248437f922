"""URL converters shared by every blueprint."""
from werkzeug.routing import IntegerConverter

from tracker.services.validation import MAX_ID


class IdConverter(IntegerConverter):
    """`<int:…>` in a URL: an id beyond what an INTEGER column holds becomes 0, which no row has, so the view
    answers 404 instead of PostgreSQL failing on the comparison (a 500).

    Not a ValidationError for those: werkzeug would then answer 405 to other methods on the same path.
    """

    regex = r"\d{1,30}"  # longer runs of digits match no route at all

    def to_python(self, value: str) -> int:
        number = int(value)
        return number if 1 <= number <= MAX_ID else 0

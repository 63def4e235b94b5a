"""lorchestra's own jobs; registered through the same entry-point group as everyone's."""

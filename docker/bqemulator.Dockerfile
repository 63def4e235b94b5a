# A BigQuery REST API emulator for BigQuery mode: bqemulator with the same launcher the
# tests use (it patches out the spatial-extension download and accepts the official
# client's `*/*` multipart uploads).
FROM python:3.11-slim-bookworm
RUN pip install --no-cache-dir "bqemulator==1.4.0" numpy
COPY lorchestra/tests/bq_emulator/launch.py /opt/bqemulator/launch.py
EXPOSE 9050
CMD ["python", "/opt/bqemulator/launch.py", "--host", "0.0.0.0", "--port", "9050", "--project", "lorc-local", "--data-dir", "/data"]

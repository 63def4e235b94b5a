# The lorc service: the suite installed by its own set-up script, running as a non-root
# user whose PHI home is a volume (0700).
FROM python:3.11-slim-bookworm
RUN useradd --create-home --uid 1000 lorc
WORKDIR /opt/lorchestra
COPY --chown=lorc:lorc . .
RUN ./dev setup && chown -R lorc:lorc /opt/lorchestra
USER lorc
ENV LORC_HOME=/home/lorc/.lorchestra PATH=/opt/lorchestra/.venv/bin:$PATH
VOLUME ["/home/lorc/.lorchestra"]

CMD ["sh", "-c", "lorc init && lorc run warehouse_stats"]
